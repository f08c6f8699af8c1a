from gan_course.train_dcgan import main

main()
