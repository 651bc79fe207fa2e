"""What a label is: entities, geometry, attributes, colours, hit testing."""
