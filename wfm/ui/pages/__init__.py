"""The app's page files, one per page (registered by :mod:`wfm.ui.navigation`)."""
