build-x/obj/lib/core/names.o: lib/core/names.c lib/core/names.h
lib/core/names.h:
