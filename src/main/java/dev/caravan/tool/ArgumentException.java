package dev.caravan.tool;

/** Arguments that do not fit a tool's declared parameters; the message names the argument and what was expected. */
public class ArgumentException extends ToolFailure {
    public ArgumentException(String message) {
        super(message);
    }
}
