"""The risk gate interface."""
