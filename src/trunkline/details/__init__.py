"""Each vendor's own fields on an Interaction, one module per vendor.

A vendor's detail record lives in `details/<vendor>.py`, beside the vendor-neutral
records of `trunkline.domain`: its connector builds it, and `schema/vendors/<vendor>.py`
gives it a GraphQL type. Every detail record subclasses `domain.Detail`.
"""
