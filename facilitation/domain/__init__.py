"""The domain: entities, rules and errors of a café concertation, in plain Python."""
