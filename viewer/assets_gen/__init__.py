"""Generators of the shipped assets: the equipment library meshes and manifests, and the demo plant."""
