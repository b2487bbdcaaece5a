"""Word packages as bytes: zips written with the compressed parts copied, documents joined into one (print files,
conversion runs). Below render and convert, which both use it."""
