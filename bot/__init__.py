"""safetynet (社安網協作機器人): the application — settings, services and the rules they apply.

Nothing here connects, reads the environment or builds an Application at import time.
"""
