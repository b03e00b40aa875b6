//! Saving and loading a Machine as bytes (the image format).
