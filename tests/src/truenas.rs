//! The fake TrueNAS for the evaluation, when it is built: started on a free port, with the
//! variables that point tool-monitoring at it.

/// A running fake TrueNAS.
pub struct FakeTrueNas {
    pub env: Vec<(String, String)>,
}

impl FakeTrueNas {
    pub fn env(&self) -> Vec<(String, String)> {
        self.env.clone()
    }
}

/// The fake, or `None` when it is not built.
pub fn start_fake() -> Option<FakeTrueNas> {
    None
}
