"""Index lifecycle: building generations, switching atomically, background updates."""
