"""Live updates: queue pollers shared by subscribers, and graphql-transport-ws."""
