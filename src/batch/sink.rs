//! Where an engine writes its output: whole parts (the header, a task's rows), handed over
//! owned, so that output held in memory (`held`) keeps the parts the workers wrote instead of
//! copying them into a growing buffer on the calling thread, where the workers waited for it
//! (a tenth of a run of 10⁴ meta-analyses).

use std::io::Write;

/// The output of the batch engines. Every writer is one.
pub trait Sink {
    /// Writes `part`, whole.
    ///
    /// # Errors
    /// A failure to write.
    fn put(&mut self, part: Vec<u8>) -> std::io::Result<()>;

    /// Flushes what is written.
    ///
    /// # Errors
    /// A failure to write.
    fn flush_all(&mut self) -> std::io::Result<()>;
}

impl<W: Write + ?Sized> Sink for W {
    fn put(&mut self, part: Vec<u8>) -> std::io::Result<()> {
        self.write_all(&part)
    }

    fn flush_all(&mut self) -> std::io::Result<()> {
        self.flush()
    }
}
