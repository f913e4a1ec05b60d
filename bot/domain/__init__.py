"""Pure rules of the product, free of I/O: roles and permissions, text checks, places.

Nothing in this package imports anything else of the project.
"""
