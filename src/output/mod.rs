//! What a run leaves for the user besides its results: the warnings it must not miss, and the
//! files it writes (checked destinations, the results folder's lock, atomic writes).

pub mod atomic;
pub mod lock;
pub mod destination;
pub mod warnings;
