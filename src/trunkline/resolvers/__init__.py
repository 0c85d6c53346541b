"""Resolvers: fan out to connectors through loaders, merge, and map failures.

They return domain objects and `Page`s; the schema layer renders them.
"""
