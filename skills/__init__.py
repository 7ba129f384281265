"""Skills named in a text, against a shipped vocabulary; job titles to O*NET-SOC occupations
(skills.occupations). Pure Python: no Django, no database.

The normalizer (job skills and occupation at ingest) and matching (a resume's skills) both read it.
"""

from skills.extract import VOCABULARY_PATH, extract_skills, job_skill_split, skill_counts, vocabulary

__all__ = ["VOCABULARY_PATH", "extract_skills", "job_skill_split", "skill_counts", "vocabulary"]
