"""Workshops, proposals, votes and decisions arrive with issue [2/6]."""
