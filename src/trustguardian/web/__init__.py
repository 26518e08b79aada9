"""Server-rendered pages: the console, the preference centre, the public forms."""
