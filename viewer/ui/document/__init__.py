"""The open plant file: the document session, opening in the background, autosave and recovery, File > New and
Close, image export, and the messages panel where loading reports its problems."""
