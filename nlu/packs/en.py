"""English examples of the built-in intents."""

from nlu.packs import phrases

EXAMPLES = {
    "yes": phrases(
        """
        yes
        yeah
        yep
        yup
        sure
        of course
        absolutely
        definitely
        certainly
        that's right
        correct
        exactly
        speaking
        this is she
        yes it's me
        that's me
        go ahead
        i'm listening
        okay
        okay sure
        fine
        sounds good
        all right go on
        mhm
        yes please
        why not
        sure go ahead
        i'm interested
        that's interesting
        tell me more
        i have a few minutes
        i can talk
        yes i can talk now
        i'm not busy
        i'm free now
        it's a good time
        yes yes
        yeah sure
        sure why not
        yeah go on
        go on
        i'm here
        right
        yes ma'am
        yes sir
        you got it
        okay go ahead
        i've got time
        this is he
        it's me
        """
    ),
    "no": phrases(
        """
        no
        no no
        no thanks
        no thank you
        not really
        i don't think so
        absolutely not
        definitely not
        of course not
        no way
        i disagree
        that's not right
        that's wrong
        incorrect
        i refuse
        negative
        i'd rather not
        probably not
        nope not me thanks
        no sorry
        certainly not
        no sir
        no ma'am
        never
        no i don't
        no it's not
        that's not true
        wrong
        """
    ),
    "who_is_calling": phrases(
        """
        who is this
        who's calling
        who is calling please
        who am i speaking with
        who are you
        where are you calling from
        what company is this
        what company are you with
        which bank is this
        what bank
        what's this about
        what is this regarding
        what is this call about
        what do you want
        may i ask who's calling
        who's speaking
        what's your name
        who do you work for
        why are you calling
        what are you calling about
        who gave you my number
        what organization are you from
        are you from the bank
        whom am i talking to
        who's on the line
        who's calling me
        who are you guys
        what's your company
        what's the name of your company
        who is it
        where are you from
        why are you calling me
        what is it about
        what do you need
        """
    ),
    "is_robot": phrases(
        """
        are you a robot
        is this a robot
        am i talking to a robot
        is this a real person
        are you a real person
        are you human
        are you a human being
        is this a machine
        is this a recording
        is this automated
        is this an automated call
        are you a bot
        is this a bot
        am i talking to a computer
        are you an ai
        is this artificial intelligence
        are you a person
        are you real
        is this a robocall
        is this a prerecorded message
        am i speaking to a machine
        you sound like a robot
        is this a computer
        you're a robot
        is this a robot calling
        am i talking to a person
        is this an ai
        is this a computer voice
        are you automated
        are you a recording
        is this a real person or a recording
        """
    ),
    "busy_callback": phrases(
        """
        i'm busy
        i am busy right now
        busy
        i'm busy at the moment
        call me back later
        call back later
        can you call me later
        call me tomorrow
        could you call back tomorrow
        call me back in an hour
        i can't talk right now
        i can't talk
        can't talk now
        this isn't a good time
        it's not a good time
        bad time
        i'm driving
        i'm at work
        i'm in a meeting
        i'm in the middle of something
        i don't have time right now
        no time
        i'm kind of busy
        not now
        not right now
        try again later
        please call me another time
        can we talk later
        i'll call you back
        catch me later
        i'm at the doctor's
        i'm on another call
        call me in the evening
        give me a call tomorrow morning
        i'm busy now
        call me some other time
        can you call back later
        i'm at work right now
        i'm driving right now
        i'm in a meeting right now
        i'm with a client
        call back in an hour
        call me later please
        i'm at dinner
        i'm sleeping
        i'm at the gym
        talk later
        """
    ),
    "not_interested": phrases(
        """
        not interested
        i'm not interested
        i am not interested thanks
        no thanks not interested
        not interested at all
        i don't need it
        i don't need that
        i don't want it
        i don't want that
        we don't need anything
        i don't need any cards
        i'm good thanks
        i'm all set
        i'll pass
        no need
        no need thanks
        that's not for me
        not for me
        i'm not looking for that
        i don't want a credit card
        i don't want a loan
        not looking for any offers
        that doesn't interest me
        i have no interest
        no interest
        i don't need your services
        doesn't sound interesting
        i'm fine without it
        not interested thank you
        no interest at all
        i'm not interested in that
        we're not interested
        i'm not interested in any offers
        not for us
        i don't want anything
        don't need it
        i don't need a card
        """
    ),
    "already_have": phrases(
        """
        i already have one
        i already have a card
        already have it
        already got one
        i have one already
        i've already got a credit card
        i already have a loan
        i'm already a customer
        i already bank with you
        i already use your card
        i already have an account
        i have a card with another bank
        i'm with another bank
        i already signed up
        i already did that
        i've got that already
        we already have that
        i have enough cards
        i already have everything i need
        i use another bank's card
        i already have a mortgage
        got one already
        i'm already with you guys
        i already got a card
        got one
        already have one thanks
        i have a credit card already
        i'm covered
        i already bank somewhere else
        i already have your card
        i already have that
        """
    ),
    "expensive": phrases(
        """
        too expensive
        it's too expensive
        that's expensive
        that's a lot of money
        the rate is too high
        interest rate is too high
        the interest is too high
        too much interest
        the fees are too high
        too many fees
        the annual fee is too high
        i can't afford it
        i can't afford that
        it costs too much
        that costs too much
        too pricey
        way too expensive
        that's overpriced
        other banks are cheaper
        i can get it cheaper elsewhere
        your rates are terrible
        the commission is too high
        that's not cheap
        i don't have the money
        i don't have money for that
        it's not worth the money
        too costly
        way too much money
        it's expensive
        the interest rates are too high
        i can't pay that
        that's too much
        the fee is too high
        i don't want to pay fees
        i'm broke
        i can't afford any more debt
        """
    ),
    "think_about_it": phrases(
        """
        i'll think about it
        let me think about it
        i need to think
        i need some time to think
        i need time to think it over
        let me think it over
        i have to think
        i'll consider it
        let me consider it
        i'll talk to my wife
        i need to discuss it with my husband
        i'll discuss it with my family
        i'm not sure
        not sure
        i don't know
        i don't know yet
        maybe
        perhaps
        i'll decide later
        i haven't decided
        send me the details
        send me some information
        email me the information
        text me the details and i'll look
        let me sleep on it
        i'll get back to you
        i need to check my budget
        i have to look into it
        i'll think about that
        i need to think about it
        give me some time to think
        i need to talk it over with my wife
        i'll have to ask my husband
        i'm not ready to decide
        let me check and get back to you
        i'm undecided
        i'm not sure about that
        possibly
        """
    ),
    "operator": phrases(
        """
        operator
        agent
        representative
        can i speak to an operator
        let me talk to an operator
        transfer me to an operator
        connect me to an agent
        i want to talk to a real person
        i'd like to speak with a human
        let me talk to a human
        get me a human
        put me through to a person
        speak to someone
        can i talk to someone
        transfer me to a representative
        customer service
        i want a live agent
        live agent please
        connect me with a manager
        get me your manager
        can i speak to a specialist
        representative please
        i need to speak to a person
        human please
        real person please
        can i talk to a human
        i want to speak to someone
        transfer me to a human
        speak to an agent
        i want to talk to your supervisor
        connect me to customer support
        operator please
        put me through to an agent
        """
    ),
    "wrong_person": phrases(
        """
        wrong number
        you have the wrong number
        you've got the wrong number
        you dialed the wrong number
        you have the wrong person
        wrong person
        that's not me
        it's not me
        i'm not him
        i'm not her
        there's no one here by that name
        nobody by that name lives here
        he doesn't live here
        she doesn't live here
        you must have the wrong number
        i don't know who that is
        i don't know anyone by that name
        this isn't his number anymore
        this is not her phone
        they changed their number
        this is my number now
        he's not here he moved
        i'm not anna
        no one called that here
        you've got the wrong person
        that's not my name
        no one by that name
        you're calling the wrong person
        i'm not the person you're looking for
        she doesn't live here anymore
        wrong guy
        that person doesn't live here
        this is a new number
        """
    ),
    "repeat": phrases(
        """
        sorry
        pardon
        pardon me
        what
        what was that
        come again
        say that again
        say it again
        could you repeat that
        repeat please
        please repeat
        can you repeat
        i didn't catch that
        i didn't hear you
        i can't hear you
        i can barely hear you
        you're breaking up
        speak up please
        louder please
        sorry what did you say
        what did you say
        excuse me
        huh
        i didn't understand
        one more time
        again please
        the line is bad
        i missed that
        sorry i didn't hear
        repeat that
        can you say that again
        what was that again
        come again please
        i can't hear you very well
        the connection is bad
        sorry i didn't get that
        i'm sorry what
        """
    ),
    "hold_on": phrases(
        """
        hold on
        hold on please
        hang on
        hang on a second
        one moment
        one moment please
        just a moment
        just a second
        one second
        wait
        wait a minute
        wait a second
        give me a second
        give me a moment
        a moment please
        hold the line
        stay on the line
        don't hang up
        let me get him
        let me get her
        i'll get him for you
        i'll go get her
        just a minute
        one sec
        bear with me
        hold on let me step outside
        hold on a sec
        hang on a minute
        just a sec
        wait please
        one minute
        give me a minute
        hold please
        let me grab him
        one moment let me get her
        just hold on
        """
    ),
    "do_not_call": phrases(
        """
        don't call me
        don't call me again
        do not call me again
        stop calling
        stop calling me
        please stop calling me
        never call me again
        don't ever call here again
        remove my number
        take me off your list
        remove me from your list
        put me on your do not call list
        add me to the do not call list
        i'm on the do not call list
        lose my number
        delete my number
        quit calling me
        stop bothering me
        leave me alone
        i'll report you
        this is harassment
        unsubscribe me
        i don't want any more calls
        no more calls
        don't call this number again
        stop calling this number
        don't call again
        please remove my number
        remove me from your calling list
        take my number off
        don't ever call me
        i don't want you calling me
        stop harassing me
        do not contact me again
        i'm reporting you
        """
    ),
    "answering_machine": phrases(
        """
        please leave your message after the tone
        leave a message after the beep
        please leave a message
        you have reached the voicemail of
        you've reached my voicemail
        i can't come to the phone right now please leave a message
        nobody is available to take your call
        no one is available to take your call at the moment
        the person you are calling is not available
        the person you are trying to reach is unavailable
        the number you have dialed is not in service
        the number you dialed is not available
        the subscriber cannot be reached
        the mobile phone you are calling is switched off
        the wireless customer you are calling is not available
        your call has been forwarded to an automatic voice message system
        at the tone please record your message
        when you have finished recording you may hang up
        record your message after the tone
        press pound when finished
        leave your name and number and i'll call you back
        please state your name and the reason for your call
        please say your name and why you're calling
        the person you're calling is using a screening service
        go ahead and say your name and why you're calling
        this call is being screened
        the mailbox is full and cannot accept any messages
        sorry i missed your call leave a message
        the number you have reached has been disconnected
        we're sorry your call cannot be completed as dialed
        please leave a message after the tone
        leave your message after the beep
        you have reached
        hi you've reached
        i can't take your call right now
        please leave your name number and a brief message
        the number you have called is not available
        the subscriber you have dialed is not reachable
        the subscriber is switched off
        this number is no longer in service
        the number you have dialed has been disconnected
        please check the number and dial again
        all circuits are busy
        the voicemail box is full
        record your message after the beep
        when you are finished recording hang up or press pound
        google assistant is screening this call
        please say your name and the reason you're calling
        the person you are calling is screening calls
        i'm an automated assistant
        sorry i can't answer the phone now
        """
    ),
}
