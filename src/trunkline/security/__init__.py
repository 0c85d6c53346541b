"""Who may ask what, and how much: authentication, scopes, document limits, profiles.

Small modules, each imported where it is used (no imports here). Their settings live
beside config, in `trunkline/security_settings.py` (the `[security]` and `[limits]`
tables, which config declares), so config never imports this package:

- auth.py: API keys (SHA-256, constant-time) and JWTs (PyJWT) into a `Principal`;
- limits.py: a document's shape (aliases, depth, directives, ...) and the limits;
- policy.py: the scope each operation needs;
- guard.py: the checks `GraphQLEndpoint` runs before executing anything;
- startup.py: what a profile refuses at start-up, and the CORS middleware.
"""
