"""Clients of outside services that several apps share (Google CTS).

Also the error classes and the retry policy every client follows, Adzuna's included.
"""
