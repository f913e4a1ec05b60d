"""Repositories: one module per aggregate, each a set of functions over an open connection.

Callers pass the connection of the transaction they are in, so that one change and everything it
causes (audit entries, notifications) commit together or not at all.
"""
