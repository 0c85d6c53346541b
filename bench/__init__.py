"""trunkline's benchmark: the gateway against its vendors' floor, a hand-written
baseline and a peer gateway. Run `python -m bench --help`."""
