package dev.caravan;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class CaravanApplication {
    public static void main(String[] args) {
        CommonPool.atLeastTwoThreads();
        SpringApplication.run(CaravanApplication.class, args);
    }
}
