//! What a run leaves for the user besides its results: the warnings it must not miss, and the
//! files it writes (checked destinations, the results folder's files and lock, atomic writes),
//! and the printing that outlives a closed pipe.

pub mod atomic;
pub mod lock;
pub mod destination;
pub mod results_folder;
pub mod stream;
pub mod warnings;
