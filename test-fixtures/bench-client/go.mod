module httpwatcher.test/bench-client

go 1.21
