"""Writes to jobs, one module per job: `upsert` (the one write path every source goes through),
`companies` (a Company per normalized name), `duplicates` (one job listed by several sources),
`expiry` (jobs their sources no longer list) and `staff` (edits and status changes by hand).
"""
