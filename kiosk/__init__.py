"""motcua hub: app factory, configuration, queue core, storage, API, real time and CLI.

Keep this file free of imports: the launcher must monkey-patch (gevent/eventlet)
before Flask, SQLAlchemy or socket modules are loaded.
"""
