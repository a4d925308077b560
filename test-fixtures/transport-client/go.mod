module httpwatcher.test/transportclient

go 1.15
