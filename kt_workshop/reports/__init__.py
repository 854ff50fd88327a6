"""Writers that turn a workshop into files to download: Word, Excel, charts, REFI-QDA."""
