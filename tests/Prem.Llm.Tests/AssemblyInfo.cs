// LibTorch's thread pool, thread count and RNG are process-wide: tests that compare results bit for bit
// (resume, activation checkpointing) must not share them with tests running at the same time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
