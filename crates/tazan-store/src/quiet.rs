//! Catching sled's panics on a corrupt database file, without the default
//! panic hook printing them as if the program had crashed: the caller turns
//! them into an error that names the file and says what to do.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Set while this thread runs inside [`catch`].
    static CATCHING: Cell<bool> = const { Cell::new(false) };
}

static HOOK: Once = Once::new();

/// Run `f`; a panic inside it becomes `Err(message)`. The process's panic
/// hook (installed once, chained to the one before) stays quiet for panics
/// caught here and reports every other panic as before.
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CATCHING.with(Cell::get) {
                previous(info);
            }
        }));
    });
    CATCHING.with(|c| c.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(false));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message_and_values_pass_through() {
        assert_eq!(catch(|| 7), Ok(7));
        let err = catch(|| -> u8 { panic!("tried to serialize Uninitialized") }).unwrap_err();
        assert_eq!(err, "tried to serialize Uninitialized");
        let n = 3;
        let err = catch(|| -> u8 { panic!("at {n}") }).unwrap_err();
        assert_eq!(err, "at 3");
    }
}
