"""Storage: the database engine, schema and migrations, and repositories returning dataclasses.

All SQL of the product lives in this package; callers above it see plain records only.
"""

from storage.engine import Database, open_database

__all__ = ["Database", "open_database"]
