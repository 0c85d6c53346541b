"""Who may ask what, and how much: authentication, scopes, document limits, profiles.

Small modules, each imported where it is used (no imports here, so `config` can read
`security.settings` without pulling in the schema):

- settings.py: the `[security]` and `[limits]` tables and their env overrides;
- auth.py: API keys (SHA-256, constant-time) and JWTs (PyJWT) into a `Principal`;
- limits.py: a document's shape (aliases, depth, directives, ...) and the limits;
- policy.py: the scope each operation needs;
- guard.py: the checks `GraphQLEndpoint` runs before executing anything;
- startup.py: what a profile refuses at start-up, and the CORS middleware.
"""
