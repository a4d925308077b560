module httpwatcher.test/client

go 1.15
