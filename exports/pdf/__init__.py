"""PDF documents built with reportlab: synthesis, fiches d'observation, table cards."""
