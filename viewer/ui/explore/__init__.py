"""Finding one's way round the plant: the plant tree and its filter, the inspector, saved viewpoints, the
equipment library and the toolbar's site chooser."""
