"""Pure pagination library: cursors, Relay arguments, backends and the cross-vendor merge.

It imports neither resolvers nor connectors; both use it.
"""
