import '#local/polyfills';
