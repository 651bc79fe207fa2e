"""The sync contract suite: one set of scenarios run against every server kind."""
