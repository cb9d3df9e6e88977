"""The bridge from the model to pyvista/VTK: owns every VTK object of the 3D view."""
