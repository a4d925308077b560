module httpwatcher.offsets/dwarflayouts

go 1.15
