//! Value parsers for options whose values clap cannot word well.

/// `--priority N`: 0 (most urgent) to 4, also written as `P0`..`P4` as
/// tables print them.
pub fn priority(text: &str) -> Result<u8, String> {
    yit::model::config::Config::parse_priority(text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn priorities_are_numbers_or_table_names() {
        assert_eq!(super::priority("0"), Ok(0));
        assert_eq!(super::priority("P3"), Ok(3));
        assert_eq!(super::priority("p4"), Ok(4));
        for bad in ["high", "5", "P", "-1", "P9", ""] {
            assert!(super::priority(bad).is_err(), "{bad}");
        }
    }
}
