"""The Mother line menu: cloning a line to a child site (the clone wizard) and comparing a child with its
mother (the compare window, its differences, deviations and process outputs)."""
