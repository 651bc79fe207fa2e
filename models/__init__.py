"""Qt-free core of limner: geometry, project store, commands, tools, image I/O."""
