"""HTTP, templates, scheduler and command line of Vor Ort."""
