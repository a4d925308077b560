module httpwatcher.test/bench-large

go 1.21
