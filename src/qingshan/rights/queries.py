"""Reads of resource rights (filled in with the edge)."""
