"""`soma batch`: the same analysis over many audio files on Dask's distributed scheduler.

inputs    the INPUTs (files, folders, globs) as a sorted list of files, and where each
          file's outputs go
outputs   the names of a file's outputs and the resume rule (outputs newer than the input)
index     one row per file (index.csv and index.json), written atomically
analysis  what runs on the Dask workers: a file probed, analysed in chunks of at most
          CHUNK_SECONDS, its outputs written (atomically) and its index row returned
cluster   the Dask client: a LocalCluster of worker processes, or a scheduler's address
stitch    a long file's chunks joined: overview columns, partials cut by a boundary
runner    the run: tasks submitted, results gathered as they complete, progress, the index

Workers read the input files and write the outputs themselves, by path: the client never
holds audio. With --scheduler, every worker must see INPUTs and OUTDIR at the same paths as
the client (a shared file system); docs/user-guide.md says so.
"""
