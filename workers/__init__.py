"""Worker-side numerics: pure numpy/scipy code, no GUI imports, nothing from app/."""
