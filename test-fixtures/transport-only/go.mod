module httpwatcher.test/transportonly

go 1.15
